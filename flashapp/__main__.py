import sys

from flashapp.cli.main import main

sys.exit(main())
