"""English contact messages and survey comments, from varied templates with some noise.

Each contact reason has several phrasings, combined with openers and light noise (lower case,
missing punctuation, a typo), so a text classifier has something real to learn, and a small
share of messages are vague enough to be ambiguous. Texts are drawn as codes into a fixed
vocabulary of whole messages, so millions of rows cost no Python loop.
"""
from __future__ import annotations

import numpy as np

OPENERS = ("", "Hi, ", "Hello, ", "Good morning. ", "hey ")

REASON_PHRASES: dict[str, tuple[str, ...]] = {
    "where_is_my_order": (
        "where is my order? it was supposed to arrive already",
        "my package has not arrived yet and the delivery date has passed",
        "the tracking has not updated in days, when will my parcel be delivered",
        "I am still waiting for my delivery, can you check the status",
        "order is late, tracking says in transit for a week",
        "can you tell me when my package will arrive",
    ),
    "delivery_address_change": (
        "I need to change the delivery address for my order",
        "can I send my package to a different address",
        "wrong shipping address on my order, please update it",
        "I moved, please change where the parcel is delivered",
    ),
    "damaged_item": (
        "the item arrived broken",
        "my order came damaged, the box was crushed",
        "the product is cracked and does not work",
        "package arrived with the item smashed inside",
        "received a damaged product, what can I do",
    ),
    "item_not_as_described": (
        "the item is not what was shown in the listing",
        "wrong colour and size compared to the description",
        "this is a cheap copy, not the product advertised",
        "what I received does not match the photos",
        "the product is different from the description, I want my money back",
    ),
    "return_request": (
        "I want to return an item I bought",
        "how do I send this back, I changed my mind",
        "please help me start a return",
        "it does not fit, can I return it",
        "I would like to return my order for a refund",
    ),
    "refund_status": (
        "when will I get my refund",
        "I returned the item two weeks ago and still no refund",
        "my refund has not shown up on my card",
        "what is the status of my refund",
        "you said the refund was approved but I have not received the money",
    ),
    "cancel_order": (
        "please cancel my order",
        "I want to cancel the purchase I just made",
        "my order was cancelled and I do not know why",
        "how can I cancel an order before it ships",
        "I ordered by mistake, cancel it please",
    ),
    "dispute_status": (
        "what is happening with my dispute",
        "I opened a claim against the seller, any update",
        "the seller is not answering my claim",
        "my case with the seller has been open for days",
    ),
    "chargeback_query": (
        "I see a chargeback on my account, what does it mean",
        "my bank reversed the payment, what happens now",
        "question about a card dispute with my bank",
        "why was my chargeback declined",
    ),
    "payment_issue": (
        "my payment failed but the money was taken",
        "I was charged twice for the same order",
        "the card payment keeps getting declined at checkout",
        "payment error when I try to pay",
        "the checkout says payment not authorised",
    ),
    "product_question": (
        "does this product come with a warranty",
        "is this item compatible with my model",
        "what size should I order",
        "question about the product specifications before I buy",
    ),
    "account_setup": (
        "how do I set up my account",
        "I cannot verify my email address after signing up",
        "I just created an account, how do I add my address",
        "new here, how do I complete my profile",
    ),
    "how_to_buy": (
        "how do I place an order",
        "first time buying, how does shipping work",
        "how do I pay for an order on the app",
        "can you explain how buying works here",
    ),
    "account_access": (
        "I cannot log in to my account",
        "password reset email never arrives",
        "my account is locked",
        "I forgot my password and cannot get in",
    ),
    "suspicious_activity": (
        "someone ordered from my account without my permission",
        "I got a strange message asking for my card details",
        "I think my account was hacked",
        "there are orders on my account I did not make",
    ),
}
VAGUE_PHRASES = (
    "I need help with my order",
    "can someone call me back",
    "hello, is anyone there",
    "I have a problem, please help",
)
VAGUE_SHARE = 0.04


def _noisy(text: str) -> tuple[str, ...]:
    """Three renderings of a message: clean, lower case without punctuation, and one typo."""
    plain = text[0].upper() + text[1:]
    lowered = text.lower().replace(",", "").replace("?", "").replace(".", "")
    words = text.split(" ")
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[longest]
    words[longest] = word[:2] + word[3] + word[2] + word[4:] if len(word) > 4 else word + word[-1]
    return (plain, lowered, " ".join(words))


def _vocabulary(phrases: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(
        rendered
        for phrase in phrases
        for opener in OPENERS
        for rendered in _noisy((opener + phrase) if opener else phrase)
    ))


class TextBank:
    """A fixed vocabulary of whole messages per group, drawn by code."""

    def __init__(self, groups: dict[str, tuple[str, ...]]):
        self.names = tuple(groups)
        texts: list[str] = []
        offsets, sizes = [], []
        for name in self.names:
            vocabulary = _vocabulary(groups[name])
            offsets.append(len(texts))
            sizes.append(len(vocabulary))
            texts.extend(vocabulary)
        self.labels = tuple(texts)
        self._offsets = np.array(offsets)
        self._sizes = np.array(sizes)

    def draw(self, rng: np.random.Generator, group: np.ndarray) -> np.ndarray:
        """One message code per row, from the vocabulary of the row's group index."""
        pick = np.floor(rng.random(group.size) * self._sizes[group]).astype(np.int64)
        return self._offsets[group] + pick


CONTACT_TEXTS = TextBank({**REASON_PHRASES, "vague": VAGUE_PHRASES})

COMMENT_PHRASES: dict[str, tuple[str, ...]] = {
    "late": (
        "delivery took far too long",
        "the package arrived a week late",
        "late delivery, nobody told me anything",
        "shipping was slow",
    ),
    "item_problem": (
        "the product was damaged",
        "item not as described",
        "quality is poor, not what I expected",
    ),
    "refund": (
        "my refund was rejected, very unfair",
        "still fighting to get my money back",
        "the refund process is a nightmare",
    ),
    "service": (
        "I had to contact support several times",
        "support never solved my problem",
        "took days to get an answer",
    ),
    "positive": (
        "great service, fast delivery",
        "everything arrived on time, thanks",
        "very happy with my purchase",
        "support solved it quickly",
    ),
    "neutral": (
        "ok",
        "it was fine",
        "average experience",
    ),
}
COMMENT_TEXTS = TextBank(COMMENT_PHRASES)
