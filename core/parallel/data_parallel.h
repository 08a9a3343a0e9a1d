#pragma once
// Data parallelism for a method's networks: every rank starts from rank 0's weights, and each
// update averages the gradient over the ranks first (one all-reduce of the network's flat
// gradient buffer), so all ranks take the same step as one process on the union of their
// batches would (for losses that are means over the batch).
#include <string>
#include <vector>

#include "methods/method.h"
#include "optim/trainable_network.h"
#include "parallel/communicator.h"

namespace scorelab {

// Broadcasts rank 0's parameters (and EMA weights) to every rank, and installs the gradient
// averaging. `comm` must outlive the networks' training.
void make_data_parallel(const std::vector<TrainableNetwork*>& networks, Communicator& comm);

// The same for a method: its networks, and its batch-wide statistics taken over every rank's
// batch (Method::set_batch_mean).
void make_data_parallel(Method& method, Communicator& comm);

// Copies rank 0's parameters and EMA weights to every rank (at start, after a load).
void broadcast_parameters(const std::vector<TrainableNetwork*>& networks, Communicator& comm);

// Every rank must train the same config: compares a hash of `config_text` (the config as JSON,
// less what may differ per rank such as the device) across ranks; throws DistError naming the
// first rank whose config differs from rank 0's.
void check_same_config(Communicator& comm, const std::string& config_text);

}  // namespace scorelab
