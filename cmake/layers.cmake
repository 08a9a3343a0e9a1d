# The engine's floors, lowest first. A folder of core/ may include its own headers and those of
# folders on lower floors, never one on its own floor or above: each floor is a library of its
# own that sees only the folders at or below it (core/CMakeLists.txt), and the LayerIncludes
# test (cmake/check_layers.cmake) names any include that breaks the order.
# Above core: ui/ (the app's panels and rendering), bench/ and app/cli/ use core; app/gui/ uses
# core and ui.
set(SCORELAB_FLOORS base foundation inputs learning sampling training tools)
set(SCORELAB_FLOOR_base common kernels)                # errors, files, clocks; SIMD kernels, GEMM
set(SCORELAB_FLOOR_foundation config models optim plot)  # settings, networks, optimizers, PNGs
set(SCORELAB_FLOOR_inputs data noise)                  # data sources; σ and α schedules
set(SCORELAB_FLOOR_learning methods metrics)           # losses of each method; FID, toy metrics
set(SCORELAB_FLOOR_sampling parallel sample settings)  # ranks; samplers, probes; validated settings
set(SCORELAB_FLOOR_training train)                     # the Trainer and its run
set(SCORELAB_FLOOR_tools compare export)               # run archives and history; model export
