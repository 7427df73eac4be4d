import ollama
from llama_index.core import SimpleDirectoryReader, VectorStoreIndex


def build(path: str) -> VectorStoreIndex:
    documents = SimpleDirectoryReader(path).load_data()
    return VectorStoreIndex.from_documents(documents)


def local_answer(question: str) -> str:
    reply = ollama.chat(model="llama3.1:8b", messages=[{"role": "user", "content": question}])
    return reply["message"]["content"]
