#include "optim/trainable_network.h"

namespace scorelab {

TrainableNetwork::TrainableNetwork(std::string name, std::shared_ptr<torch::nn::Module> module,
                                   const AdamWHyper& hyper)
    : name_(std::move(name)), module_(std::move(module)), params_(*module_),
      optimizer_(params_, hyper) {}

}  // namespace scorelab
