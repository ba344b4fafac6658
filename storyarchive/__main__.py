import sys

from storyarchive.cli import main

# The guard matters: extraction workers start with forkserver, which imports the main
# module again in the worker (as __mp_main__); it must not start a second crawl.
if __name__ == "__main__":
    sys.exit(main())
