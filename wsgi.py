"""The production entry point: ``gunicorn wsgi:app``.

It refuses to start on a database that is behind the migrations (``flask --app app db upgrade``
fixes that), so a deploy never serves with a schema the code does not expect.
"""

from app import create_app
from app.startup import check_schema_is_current

app = create_app()
check_schema_is_current(app)
