from unittest import mock

import openai


def test_answer_uses_the_client():
    with mock.patch.object(openai, "OpenAI"):
        assert openai.OpenAI is not None
