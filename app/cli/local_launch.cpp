#include "cli/local_launch.h"

#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <thread>

#include "common/error.h"

extern char** environ;

namespace scorelab::cli {

namespace {

// A TCP port nothing listens on now (rank 0's store binds it a moment later).
int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw IoError(std::string("--nproc: no socket: ") + std::strerror(errno));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t n = sizeof a;
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
                  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &n) == 0;
  close(fd);
  if (!ok) throw IoError(std::string("--nproc: cannot find a free port: ") + std::strerror(errno));
  return ntohs(a.sin_port);
}

bool is_rank_variable(const std::string& kv) {
  for (const char* name : {"RANK=", "WORLD_SIZE=", "LOCAL_RANK=", "LOCAL_WORLD_SIZE=",
                           "MASTER_ADDR=", "MASTER_PORT="}) {
    if (kv.rfind(name, 0) == 0) return true;
  }
  return false;
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    return "was killed by signal " + std::to_string(sig) + " (" + strsignal(sig) + ")";
  }
  return "stopped";
}

}  // namespace

std::vector<std::string> command_line_without_nproc() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  const std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> args;
  for (size_t pos = 0; pos < all.size();) {
    const size_t end = all.find('\0', pos);
    args.push_back(all.substr(pos, end == std::string::npos ? std::string::npos : end - pos));
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--nproc") {
      ++i;  // and its value
    } else if (args[i].rfind("--nproc=", 0) != 0) {
      out.push_back(args[i]);
    }
  }
  if (!out.empty()) out[0] = "/proc/self/exe";  // this very binary, wherever it was found
  return out;
}

namespace {

// This process's environment without launcher variables, and rank r's own.
std::vector<std::string> rank_environment(int r, int nproc, int port) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e)
    if (!is_rank_variable(*e)) env.emplace_back(*e);
  env.push_back("RANK=" + std::to_string(r));
  env.push_back("LOCAL_RANK=" + std::to_string(r));
  env.push_back("WORLD_SIZE=" + std::to_string(nproc));
  env.push_back("LOCAL_WORLD_SIZE=" + std::to_string(nproc));
  env.push_back("MASTER_ADDR=127.0.0.1");
  env.push_back("MASTER_PORT=" + std::to_string(port));
  return env;
}

// Waits for every rank; after a failure, kills those still running grace_s later. The first
// rank that failed, or -1.
int wait_for_ranks(std::vector<pid_t>& pids, double grace_s) {
  const int nproc = static_cast<int>(pids.size());
  int failed = -1;
  auto failed_at = std::chrono::steady_clock::now();
  int running = nproc;
  while (running > 0) {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, failed >= 0 ? WNOHANG : 0);
    if (pid > 0) {
      --running;
      int r = 0;
      while (r < nproc && pids[r] != pid) ++r;
      if (r < nproc) pids[r] = -1;
      if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
        std::fprintf(stderr, "scorelab-cli: rank %d (of %d) %s\n", r, nproc,
                     describe_status(status).c_str());
        if (failed < 0) {
          failed = r;
          failed_at = std::chrono::steady_clock::now();
        }
      }
      continue;
    }
    if (pid < 0 && errno != EINTR) break;
    // After a failure: the others should stop by themselves (their collectives fail); those
    // still there after the grace period are killed.
    const double waited =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - failed_at).count();
    if (waited > grace_s) {
      for (int r = 0; r < nproc; ++r) {
        if (pids[r] > 0) {
          std::fprintf(stderr,
                       "scorelab-cli: rank %d still running %.0f s after rank %d failed; "
                       "killing it\n",
                       r, waited, failed);
          kill(pids[r], SIGKILL);
        }
      }
      grace_s = 1e30;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return failed;
}

}  // namespace

int launch_local_ranks(int nproc, const std::vector<std::string>& args, double grace_s) {
  const int port = free_port();
  std::vector<pid_t> pids(nproc, -1);
  // Ctrl+C reaches every rank (one process group); rank 0 saves and ends the run for all, so
  // the launcher itself waits.
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction old_int {};
  sigaction(SIGINT, &ignore, &old_int);
  for (int r = 0; r < nproc; ++r) {
    std::vector<std::string> env = rank_environment(r, nproc, port);
    std::vector<std::string> a = args;
    std::vector<char*> argv, envp;
    for (auto& x : a) argv.push_back(x.data());
    argv.push_back(nullptr);
    for (auto& x : env) envp.push_back(x.data());
    envp.push_back(nullptr);
    const int err =
        posix_spawn(&pids[r], "/proc/self/exe", nullptr, nullptr, argv.data(), envp.data());
    if (err != 0) {
      for (int k = 0; k < r; ++k) kill(pids[k], SIGKILL);
      for (int k = 0; k < r; ++k) waitpid(pids[k], nullptr, 0);
      sigaction(SIGINT, &old_int, nullptr);
      throw IoError("--nproc: cannot start rank " + std::to_string(r) + ": " + std::strerror(err));
    }
  }
  std::string started;
  for (int r = 0; r < nproc; ++r) {
    started += (r ? ", rank " : "rank ") + std::to_string(r) + " pid " + std::to_string(pids[r]);
  }
  std::printf("%s\n", started.c_str());
  std::fflush(stdout);
  const int failed = wait_for_ranks(pids, grace_s);
  sigaction(SIGINT, &old_int, nullptr);
  return failed >= 0 ? 1 : 0;
}

}  // namespace scorelab::cli
