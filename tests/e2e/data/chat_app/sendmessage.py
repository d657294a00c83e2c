"""The tutorial chat app's SendMessageFunction: posts the message's `data` to every stored
connection through @connections, at the management endpoint built from the event's domainName
and stage (the sample's https://{domainName}/{stage}; ENDPOINT_SCHEME=http for a local gateway);
a connection that is gone (410) is removed from the table."""
import json
import os

import boto3
import table


def handler(event, context):
    c = table.db()
    try:
        ids = [r[0] for r in c.execute("SELECT connectionId FROM connections")]
        ctx = event["requestContext"]
        endpoint = "%s://%s/%s" % (os.environ.get("ENDPOINT_SCHEME", "https"), ctx["domainName"],
                                   ctx["stage"])
        api = boto3.client("apigatewaymanagementapi", endpoint_url=endpoint)
        data = json.loads(event["body"])["data"]
        for cid in ids:
            try:
                api.post_to_connection(ConnectionId=cid, Data=data.encode())
            except api.exceptions.GoneException:
                print("Found stale connection, deleting " + cid)
                c.execute("DELETE FROM connections WHERE connectionId = ?", (cid,))
    finally:
        c.close()
    return {"statusCode": 200, "body": "Data sent."}
