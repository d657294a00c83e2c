"""The tutorial chat app's OnDisconnectFunction: removes the connection id."""
import table


def handler(event, context):
    c = table.db()
    try:
        c.execute("DELETE FROM connections WHERE connectionId = ?",
                  (event["requestContext"]["connectionId"],))
    except Exception as e:
        return {"statusCode": 500, "body": "Failed to disconnect: " + str(e)}
    finally:
        c.close()
    return {"statusCode": 200, "body": "Disconnected."}
