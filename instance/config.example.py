# Copy to instance/config.py and edit; it is read after the defaults in app/config.py and before
# FLASK_* environment variables. Every key is optional.

# BLOG_TITLE = "History 212: The Cold War"

# The address readers use: the instructor's emails link there, and the blog answers only to this
# host name (and to localhost and 127.0.0.1) unless TRUSTED_HOSTS says otherwise.
# SITE_URL = "https://blog.example.edu"

# A database other than instance/blog.sqlite3, e.g. PostgreSQL:
# SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://blog:secret@127.0.0.1:5432/blog"

# Set when the blog is served over HTTPS.
# SESSION_COOKIE_SECURE = True

# Seconds a reader must wait between two comments (0 switches flood control off).
# COMMENT_FLOOD_SECONDS = 15
