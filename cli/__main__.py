"""``python -m cli``: the ``qlvb`` command, as ``qlvb run`` starts its hub, worker and web children."""

from cli import main

raise SystemExit(main())
