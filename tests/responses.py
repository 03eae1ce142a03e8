"""Reading responses in tests."""


def drain(response) -> bytes:
    """The body of a streamed response (a file export), its file closed. (Not
    `response.close()`: that sends `request_finished`, which closes the test's database
    connection.)"""
    content = b"".join(response.streaming_content)
    stream = getattr(response, "file_to_stream", None)
    if stream is not None:
        stream.close()
    return content
