"""``python -m singlewindow.platform.cli`` runs ``nsw``."""

from singlewindow.platform.cli.main import main

main()
