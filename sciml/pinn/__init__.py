"""sciml.pinn: physics-informed networks — domains and sampling, derivative operators over batches
of points, conditions and the weighted loss they make, changes to the data during training
(resampling, RAR, adaptive and causal weights), time-marching windows, the residual vector for
least-squares optimisers, and sciml.training's Trainer (Adam, Levenberg-Marquardt, L-BFGS; checkpoints,
resume), which PINNs are trained with."""
from .adaptive import RAD, RAR, AnnealWeights, CausalWeights, NTKWeights, Region, Resample  # noqa: F401
from .conditions import (PDE, Condition, Data, Dirichlet, HardDirichlet, Initial, InitialRate,  # noqa: F401
                         Neumann, Periodic, PeriodicEmbedding, ResidualVector, Robin, weighted_loss)
from .geometry import (Box, Difference, Disk, Intersection, Interval, Polygon, Rectangle, SpaceTime,  # noqa: F401
                       Union, unit_samples)
from .marching import TimeWindows, time_map, window, window_edges  # noqa: F401
from .operators import directional, divergence, laplacian, partial, value_and_partials  # noqa: F401
from ..training import Interrupted, Trainer  # noqa: F401
