import json

import boto3

bedrock = boto3.client("bedrock-runtime", region_name="eu-west-1")


def summarise(text: str) -> str:
    body = json.dumps(
        {
            "messages": [{"role": "user", "content": text}],
            "max_tokens": 512,
            "anthropic_version": "bedrock-2023-05-31",
        }
    )
    response = bedrock.invoke_model(modelId="anthropic.claude-3-5-sonnet-20241022-v2:0", body=body)
    return json.loads(response["body"].read())["content"][0]["text"]
