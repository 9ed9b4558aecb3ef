"""`POST /v1/text-stats`: counts in a piece of text, a small endpoint to grow the service from."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from . import PREFIX

router = APIRouter(prefix=PREFIX, tags=["text"])


class TextIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=100_000)


class TextStats(BaseModel):
    characters: int
    words: int
    lines: int
    unique_words: int


@router.post("/text-stats")
def text_stats(body: TextIn) -> TextStats:
    words = body.text.split()
    return TextStats(
        characters=len(body.text),
        words=len(words),
        lines=len(body.text.splitlines()),
        unique_words=len({word.casefold() for word in words}),
    )
