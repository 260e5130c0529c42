"""The DataFrame door, kept at its old import path: see :mod:`trackly_validate.columns.frames`."""

from .columns.frames import *  # noqa: F401,F403
from .columns.frames import (  # noqa: F401 - the names other modules import from here
    BATCH_ROWS,
    PROBLEM_COLUMNS,
    REJECT_COLUMNS,
    bodies,
    check_frame,
    frame_library,
    judge,
    split_frame,
    table_hint,
)
