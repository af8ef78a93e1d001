"""mattran backend: the Litestar API, the OpenID provider and the feature services."""

import os

# piccolo finds its engine through this module; set it before any Table is used.
os.environ.setdefault("PICCOLO_CONF", "backend.piccolo_conf")
