import Anthropic from "@anthropic-ai/sdk";
import express from "express";

const anthropic = new Anthropic({ apiKey: process.env.ANTHROPIC_API_KEY });
const app = express();

app.post("/ask", async (req, res) => {
  const message = await anthropic.messages.create({
    model: "claude-sonnet-4-5-20250929",
    max_tokens: 1024,
    messages: [{ role: "user", content: req.body.question }],
  });
  res.json(message);
});

app.listen(3000);
