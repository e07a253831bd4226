"""What the fork server of local workers loads before it forks them (``run.executors``).

Every worker loads these modules and numba's typing and lowering registries (which numba
otherwise installs at a process's first compiled call); loaded once in the server, their
pages are shared by all workers instead of each holding its own copy: a BFM-sized
worker's unique memory 96 -> 37 MB between shards. Nothing is compiled or rendered here,
and no GL context is made.
"""

from numba.core.registry import cpu_target

import morphgen.io.formats.webdataset  # noqa: F401
import morphgen.render.backgrounds  # noqa: F401
import morphgen.render.cpu_backend  # noqa: F401
import morphgen.run.job  # noqa: F401

cpu_target.typing_context.refresh()
cpu_target.target_context.refresh()
