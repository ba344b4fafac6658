import sys

from storyarchive.cli import main

sys.exit(main())
