"""Data in and out, used only by the command line: backups, export/import and the seed."""
