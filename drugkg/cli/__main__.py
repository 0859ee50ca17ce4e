"""`python -m drugkg.cli`: the same as the `drugkg` command."""

import sys

from drugkg.cli import main

sys.exit(main())
