from langchain_openai import OpenAIEmbeddings

embeddings = OpenAIEmbeddings(model="text-embedding-3-small")


def embed(texts: list[str]) -> list[list[float]]:
    return embeddings.embed_documents(texts)
