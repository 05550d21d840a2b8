"""``python -m service``: serve algo-filing over HTTP (the same as ``algo-filing serve``)."""

import sys

from .server import main

sys.exit(main())
