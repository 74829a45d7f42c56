"""The portal's pages, one module per area; each gives its routes to ``singlewindow.platform.web.app``."""
