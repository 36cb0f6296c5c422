"""One date and time style per language for everything customers see (FORMAT_MODULE_PATH):
the short and long forms are the same, so a time reads alike on every screen."""
