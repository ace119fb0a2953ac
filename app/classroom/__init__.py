"""People: instructor accounts now; the class roster and participation land here."""
