#pragma once
// Runs this test binary again as the ranks of a local data-parallel run: each child runs one
// (disabled) worker test with RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT set, and its output
// is collected in a file.
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace scorelab::testing {

// A TCP port nothing listens on now.
inline int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t n = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &n);
  const int port = ntohs(a.sin_port);
  close(fd);
  return port;
}

struct RankResult {
  int status = -1;  // exit status; -1 when killed or still running at the deadline
  std::string output;
};

// Starts `world` copies of this binary running `test` (a DISABLED_ worker test), each with its
// rank's environment plus `extra` (per rank: NAME=VALUE), and waits up to timeout_s for all.
inline std::vector<RankResult> run_ranks(const std::string& test, int world,
                                         const std::vector<std::vector<std::string>>& extra,
                                         const std::string& out_dir, double timeout_s) {
  const int port = free_port();
  std::vector<pid_t> pids(world, -1);
  std::vector<std::string> logs(world);
  for (int r = 0; r < world; ++r) {
    // The rank's variables replace any inherited ones (getenv takes the first of a name).
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) {
      const std::string kv = *e;
      const std::string name = kv.substr(0, kv.find('='));
      if (name != "RANK" && name != "LOCAL_RANK" && name != "WORLD_SIZE" && name != "MASTER_ADDR" &&
          name != "MASTER_PORT")
        env.push_back(kv);
    }
    env.push_back("RANK=" + std::to_string(r));
    env.push_back("LOCAL_RANK=" + std::to_string(r));
    env.push_back("WORLD_SIZE=" + std::to_string(world));
    env.push_back("MASTER_ADDR=127.0.0.1");
    env.push_back("MASTER_PORT=" + std::to_string(port));
    if (r < static_cast<int>(extra.size())) env.insert(env.end(), extra[r].begin(), extra[r].end());
    logs[r] = out_dir + "/rank" + std::to_string(r) + ".log";
    const std::string filter = "--gtest_filter=" + test;
    std::vector<std::string> args = {"/proc/self/exe", filter, "--gtest_also_run_disabled_tests"};
    std::vector<char*> argv, envp;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, logs[r].c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    posix_spawn(&pids[r], "/proc/self/exe", &fa, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
  }
  std::vector<RankResult> results(world);
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<int64_t>(timeout_s * 1000));
  int left = world;
  while (left > 0 && std::chrono::steady_clock::now() < deadline) {
    for (int r = 0; r < world; ++r) {
      if (pids[r] < 0) continue;
      int raw = 0;
      if (waitpid(pids[r], &raw, WNOHANG) == pids[r]) {
        results[r].status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
        pids[r] = -1;
        --left;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (int r = 0; r < world; ++r) {
    if (pids[r] > 0) {
      kill(pids[r], SIGKILL);
      waitpid(pids[r], nullptr, 0);
    }
    std::ifstream in(logs[r]);
    std::stringstream ss;
    ss << in.rdbuf();
    results[r].output = ss.str();
  }
  return results;
}

}  // namespace scorelab::testing
