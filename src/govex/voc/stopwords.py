"""Stop words for theme discovery, accent-folded (see `govex.voc._text.fold_accents`).

English uses scikit-learn's list. The Portuguese list is our own: articles, prepositions and
their contractions, pronouns, common auxiliaries and fillers seen in marketplace reviews. Words
that carry sentiment or a topic in reviews ('nao', 'chegou', 'produto', 'prazo') are kept out
of the list on purpose: a theme such as "nao chegou" needs them.
"""
from __future__ import annotations

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from govex.errors import ConfigError

PORTUGUESE_STOP_WORDS: frozenset[str] = frozenset(
    """
    a o as os um uma uns umas ao aos
    de do da dos das dum duma em no na nos nas num numa por pelo pela pelos pelas
    para pra pro pras pros com sem sob sobre ate entre apos desde contra perante
    e ou mas porem pois que se como quando onde porque porquanto quanto enquanto
    eu tu ele ela nos vos eles elas me te lhe lhes mim ti si comigo contigo conosco
    meu minha meus minhas teu tua seu sua seus suas nosso nossa nossos nossas
    este esta estes estas esse essa esses essas aquele aquela aqueles aquelas isto isso aquilo
    la aqui ali ai ca
    ser sou es e somos sao era eram fui foi fomos foram seja sejam sera serao seria
    estar estou esta estamos estao estava estavam esteve estiveram
    ter tenho tem temos tinha tinham tive teve tiveram tera teria
    haver ha havia houve
    fazer faz fez fiz feito
    ja tambem so ainda entao assim bem mais menos muito muita muitos muitas pouco
    todo toda todos todas tudo nada algo alguem ninguem cada outro outra outros outras
    mesmo mesma qual quais quem cujo
    vc voce voces sr sra
    ola oi obrigado obrigada obg att atenciosamente favor
    """.split()
)

# Greetings and courtesy words of support messages: they open and close texts of every reason.
ENGLISH_COURTESY: frozenset[str] = frozenset(
    "hi hello hey dear please pls thanks thank thx regards morning afternoon evening urgent asap".split()
)

LANGUAGES = ("en", "pt")


def stop_words(language: str) -> frozenset[str]:
    """Accent-folded stop words of a supported language ('en' or 'pt')."""
    if language == "pt":
        return PORTUGUESE_STOP_WORDS
    if language == "en":
        return frozenset(ENGLISH_STOP_WORDS) | ENGLISH_COURTESY
    raise ConfigError(f"language must be one of {LANGUAGES}; got {language!r}")
