#include "dist/data_parallel.h"

#include <torch/torch.h>

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

}  // namespace scorelab
