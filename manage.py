#!/usr/bin/env python
from ecomops.cli import main

if __name__ == "__main__":
    main()
