"""The baseline: the smallest Flask app, served by the same gunicorn settings as the blog."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"
