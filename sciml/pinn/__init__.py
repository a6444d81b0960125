"""sciml.pinn: physics-informed networks — domains and sampling, derivative operators over batches
of points, and a Trainer (Adam then L-BFGS, checkpoints, resume)."""
from .geometry import (Box, Difference, Disk, Intersection, Interval, Polygon, Rectangle, SpaceTime,  # noqa: F401
                       Union, unit_samples)
from .operators import divergence, laplacian, partial, value_and_partials  # noqa: F401
from .trainer import Trainer  # noqa: F401
