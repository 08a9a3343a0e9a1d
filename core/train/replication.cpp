#include "train/replication.h"

#include <torch/torch.h>

#include <variant>

#include "common/rng.h"
#include "methods/method.h"
#include "parallel/communicator.h"
#include "parallel/data_parallel.h"
#include "settings/settings.h"
#include "train/replicated_commands.h"
#include "train/run_parts.h"

namespace scorelab {

Replication::Replication(std::shared_ptr<Communicator> comm) : comm_(std::move(comm)) {}

int Replication::rank() const {
  return comm_ ? comm_->rank() : 0;
}

std::string Replication::run_dir_for(const Config& config, const std::string& run_dir) {
  if (!comm_) return run_dir;
  auto identity = to_json(config);
  identity["run"].erase("device");
  identity["run"].erase("threads");
  check_same_config(*comm_, identity.dump());
  return comm_->rank() > 0 ? "" : run_dir;
}

void Replication::join(RunParts& run) {
  if (!active()) return;
  if (rank() > 0) {
    const auto base = static_cast<uint64_t>(run.config.run.seed) +
                      0x9E3779B97F4A7C15ull * static_cast<uint64_t>(run.step);
    run.rng->reseed(Rng::stream_seed(base, rank()));
  }
  make_data_parallel(*run.method, *comm_);
}

void Replication::leave(Method* method) {
  left_ = true;
  if (!method) return;
  for (auto* net : method->networks()) net->set_gradient_sync(nullptr);
  method->set_batch_mean(nullptr);
}

bool Replication::take_finish() {
  const bool due = finish_due_;
  finish_due_ = false;
  return due;
}

bool Replication::exchange(std::deque<Command>& batch, bool closed) {
  const auto opts = torch::TensorOptions().dtype(torch::kLong);
  if (leader()) {
    const auto cmds = replicated_json(batch);
    std::string text = cmds.empty() ? "" : cmds.dump();
    auto head =
        torch::tensor({static_cast<int64_t>(text.size()), int64_t{finish_due_}, int64_t{closed}},
                      opts)
            .to(comm_->device());
    comm_->broadcast(head, 0, "sending rank 0's commands");
    if (!text.empty()) comm_->broadcast_text(text, 0, "sending rank 0's commands");
    return false;
  }
  auto head = torch::zeros({3}, opts).to(comm_->device());
  comm_->broadcast(head, 0, "waiting for rank 0's commands");
  head = head.to(torch::kCPU);
  const int64_t len = head[0].item<int64_t>();
  finish_due_ = head[1].item<int64_t>() != 0;
  std::deque<Command> next;
  for (auto& c : batch)
    if (std::holds_alternative<Probe>(c)) next.push_back(std::move(c));
  if (len > 0) {
    std::string text;
    comm_->broadcast_text(text, 0, "waiting for rank 0's commands");
    for (auto& c : commands_from_json(nlohmann::json::parse(text))) next.push_back(std::move(c));
  }
  batch = std::move(next);
  return head[2].item<int64_t>() != 0;
}

void Replication::agree_on_readback(std::optional<torch::Tensor>& rows, std::string& problem,
                                    int64_t step) {
  if (!active()) return;
  const std::string at = " at step " + std::to_string(step);
  const auto bad = comm_->all_gather(rows ? 0 : 1, "checking the ranks for NaN" + at);
  for (size_t r = 0; r < bad.size(); ++r) {
    if (bad[r] == 0) continue;
    comm_->broadcast_text(problem, static_cast<int>(r),
                          "reading rank " + std::to_string(r) + "'s problem" + at);
    problem = "rank " + std::to_string(r) + ": " + problem;
    rows.reset();
    return;
  }
  auto t = rows->to(comm_->device());
  comm_->average(t, "averaging the losses" + at);
  rows = t.to(torch::kCPU);
}

}  // namespace scorelab
