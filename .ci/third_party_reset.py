"""A pytest plugin for .ci/third-party: what moto's /moto-api/reset does for moto's server,
done through this server's own API: before each test, every user pool is deleted."""
import os

import boto3
import pytest


@pytest.fixture(autouse=True)
def _no_pools_left_from_the_test_before():
    client = boto3.client(
        "cognito-idp", region_name="us-west-2", endpoint_url=os.environ["TEST_SERVER_MODE_ENDPOINT"],
        aws_access_key_id="FOOBARKEY", aws_secret_access_key="FOOBARSECRET")
    while pools := client.list_user_pools(MaxResults=60)["UserPools"]:
        for pool in pools:
            client.delete_user_pool(UserPoolId=pool["Id"])
    yield
