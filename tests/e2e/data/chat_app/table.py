"""The chat app's connections table: the sample keeps it in DynamoDB (TABLE_NAME); here a SQLite
file named by TABLE_NAME, one row per connection id. Imported by the three handlers."""
import os
import sqlite3


def db():
    c = sqlite3.connect(os.environ["TABLE_NAME"], timeout=30, isolation_level=None)
    c.execute("CREATE TABLE IF NOT EXISTS connections (connectionId TEXT PRIMARY KEY)")
    return c
