"""The tutorial chat app's OnConnectFunction: stores the new connection id."""
import table


def handler(event, context):
    c = table.db()
    try:
        c.execute("INSERT OR REPLACE INTO connections VALUES (?)",
                  (event["requestContext"]["connectionId"],))
    except Exception as e:
        return {"statusCode": 500, "body": "Failed to connect: " + str(e)}
    finally:
        c.close()
    return {"statusCode": 200, "body": "Connected."}
