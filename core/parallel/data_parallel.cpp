#include "parallel/data_parallel.h"

#include <torch/torch.h>

#include "common/checksum.h"

namespace scorelab {

void broadcast_parameters(const std::vector<TrainableNetwork*>& networks, Communicator& comm) {
  torch::NoGradGuard no_grad;
  for (TrainableNetwork* net : networks) {
    comm.broadcast(net->params().data(), 0, "broadcasting the parameters of " + net->name());
    if (net->ema()) {
      comm.broadcast(net->ema()->data(), 0, "broadcasting the EMA weights of " + net->name());
    }
  }
}

void make_data_parallel(const std::vector<TrainableNetwork*>& networks, Communicator& comm) {
  broadcast_parameters(networks, comm);
  for (TrainableNetwork* net : networks) {
    net->set_gradient_sync([&comm](torch::Tensor& grad, const std::string& name) {
      comm.average(grad, "averaging the gradients of " + name);
    });
  }
}

void make_data_parallel(Method& method, Communicator& comm) {
  make_data_parallel(method.networks(), comm);
  method.set_batch_mean([&comm](const torch::Tensor& local) {
    auto t = local.detach().reshape({1}).clone();
    comm.average(t, "averaging a batch statistic");
    return t.reshape(local.sizes());
  });
}

void check_same_config(Communicator& comm, const std::string& config_text) {
  const auto hash = static_cast<int64_t>(fnv1a64(config_text.data(), config_text.size()));
  const auto all = comm.all_gather(hash, "comparing the ranks' configs");
  for (size_t r = 1; r < all.size(); ++r) {
    if (all[r] != all[0]) {
      throw DistError("rank " + std::to_string(comm.rank()) + ": rank " + std::to_string(r) +
                      "'s config differs from rank 0's (give every rank the same preset, --config "
                      "and --set)");
    }
  }
}

}  // namespace scorelab
