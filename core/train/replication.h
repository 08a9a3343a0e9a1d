#pragma once
// The ranks of a data-parallel run as the Trainer sees them: whose commands count, whether a
// readback is clean everywhere, and whether the group still holds. Alone (no communicator, or
// after the group failed or rank 0 ended the run) every answer is the one-process answer, so
// the Trainer reads as if there were no ranks.
#include <torch/types.h>

#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "config/config.h"
#include "train/commands.h"

namespace scorelab {

class Communicator;
class Method;
struct RunParts;

class Replication {
 public:
  explicit Replication(std::shared_ptr<Communicator> comm = nullptr);

  // In a group (not alone, not left).
  bool active() const { return comm_ && !left_; }
  int rank() const;
  bool leader() const { return rank() == 0; }
  // Ranks > 0 wait on rank 0's commands rather than on their own mailbox.
  bool follows_leader() const { return active() && !leader(); }

  // The folder this rank writes: "" for ranks > 0, after checking that every rank runs the same
  // config (device and threads may differ). Throws DistError.
  std::string run_dir_for(const Config& config, const std::string& run_dir);
  // A freshly built run joins the group: ranks > 0 draw from their own stream (rank 0 continues
  // the checkpoint's), and the networks average gradients and batch statistics over the ranks.
  void join(RunParts& run);
  // This rank trains alone from now on.
  void leave(Method* method);

  // One exchange between steps: rank 0 sends the commands it took, whether it asks to finish
  // and whether it closed; the other ranks put rank 0's commands in place of theirs (keeping
  // their probes). True on a rank > 0 when rank 0 closed. Throws DistError.
  bool exchange(std::deque<Command>& batch, bool closed);
  // Rank 0 reached a time limit: every rank finishes at the next exchange.
  void request_finish() { finish_due_ = true; }
  // Whether to finish now (once).
  bool take_finish();

  // Every rank learns whether any found a problem at this readback (then all restore, named by
  // the first such rank's problem); otherwise `rows` becomes the losses averaged over the
  // ranks. Throws DistError.
  void agree_on_readback(std::optional<torch::Tensor>& rows, std::string& problem, int64_t step);

 private:
  std::shared_ptr<Communicator> comm_;
  bool left_ = false;        // the group failed, or rank 0 ended the run
  bool finish_due_ = false;  // see request_finish
};

}  // namespace scorelab
