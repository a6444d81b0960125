"""sciml.pinn: physics-informed networks — domains and sampling, derivative operators over batches
of points, and a Trainer (Adam then L-BFGS, checkpoints, resume)."""
from .geometry import Box, Interval, Rectangle, SpaceTime, unit_samples  # noqa: F401
from .operators import divergence, laplacian, partial, value_and_partials  # noqa: F401
from .trainer import Trainer  # noqa: F401
