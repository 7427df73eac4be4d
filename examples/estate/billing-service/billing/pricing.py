def total(lines):
    llm = sum(line.amount for line in lines)  # "llm" = line-level money, a legacy name
    model = "standard"
    return llm, model
