"""Urgency and effort signals: explainable rules on top of the model, pure functions.

Agents must be able to see *why* a mention jumped the queue, so every signal is a named rule with a
human-readable reason quoting the evidence ("threat to leave: 'cancel my account'"). Nothing here
does IO: the worker passes in the author's recent contacts and ``now``.

Urgency: threat to leave or cancel, legal or safety words (the commonest ones in the other triaged
languages too), public escalation, stranded or cut off from money ("card frozen abroad", "stranded
overnight"), many people affected ("200 of us"; these two in the other triaged languages too), a post that is only
a call for help ("help!!", "ayuda!!"), author reach (followers), repeat contact. Effort
(a Customer Effort Score proxy): repeat contacts by the same author on the same issue, "third time" /
"still waiting" phrasing, transfers between channels or agents, nobody answering or being hung up
on (nobody answering in the other triaged languages too). Scores combine independent signals with a
noisy-OR, so each adds and none exceeds 1.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from careline.textfold import folded

LEAVE = re.compile(
    r"\b(cancel(?:l?ing|l?ed)?\s+(?:my|our|the)\s+(?:account|subscription|contract|membership|plan|order|service)"
    # a stated intent to cancel, with or without its object ("I'll cancel"); "my flight was cancelled" is not one
    r"|(?:i'?ll|i\s+will|we'?ll|we\s+will|(?:i'?m|we'?re)\s+(?:going\s+to|about\s+to|ready\s+to)|gonna)\s+cancel\b"
    r"(?:\s+(?:my|our|the)\s+\w+)?"
    r"|(?:i'?m|we'?re|i\s+am)\s+cancell?ing\b"
    r"|clos(?:e|ing)\s+my\s+account|switch(?:ing)?\s+to\s+\w+|(?:i'?m|we'?re)\s+(?:leaving|done\s+with)"
    r"|done\s+with\s+(?:you|this)|taking\s+my\s+(?:business|money)\s+elsewhere|never\s+(?:again|buying|"
    r"ordering|flying|using)|last\s+time\s+i\s+(?:use|order|buy|fly)|unsubscrib\w*|port(?:ing)?\s+my\s+number)",
    re.I,
)
LEGAL = re.compile(
    r"\b(lawyers?|attorneys?|solicitors?|sue|suing|lawsuit|legal\s+action|small\s+claims|ombudsman|"
    r"trading\s+standards|regulator|ftc|fca|ofcom|bbb|consumer\s+protection|chargeback|court)\b",
    re.I,
)
SAFETY = re.compile(
    r"\b(unsafe|danger\w*|injur\w*|hurt|fire|caught\s+fire|smok(?:e|ing)\b|burn(?:t|ed|ing)?|explod\w*|"
    r"shock(?:ed)?|allergic|food\s+poisoning|hospital|ambulance|choking|recall)\b",
    re.I,
)
PUBLIC = re.compile(
    r"\b(going\s+viral|retweet|rt\s+if|everyone\s+should\s+know|warn(?:ing)?\s+(?:everyone|others)|"
    r"journalists?|the\s+press|news\s*(?:paper|desk)?|watchdog|trustpilot|1[- ]star|one[- ]star|"
    r"review\s+everywhere|posting\s+this\s+everywhere|tell(?:ing)?\s+everyone)\b",
    re.I,
)
REPEAT_WORDS = re.compile(
    r"\b((?:second|third|fourth|fifth|\d+(?:st|nd|rd|th))\s+time|yet\s+again|once\s+again|again\s+and\s+again|"
    r"still\s+(?:waiting|no|not|haven'?t|hasn'?t|nothing|broken|down)|keep\s+(?:getting|having|being)|"
    r"for\s+(?:days|weeks|months)|(?:\d+|two|three|four|several)\s+(?:days|weeks|months|calls|emails)\s+"
    r"(?:now|later|and)|how\s+many\s+times)\b",
    re.I,
)
TRANSFER = re.compile(
    r"\b(transferr?ed|passed\s+(?:around|from)|bounced\s+(?:around|between)|told\s+(?:me\s+)?to\s+(?:call|contact|"
    r"email|dm|ring)|sent\s+me\s+to|another\s+(?:agent|department|number)|different\s+(?:agent|department)|"
    r"(?:called|rang|emailed|dm'?d|messaged)\s+(?:you|them|twice|three\s+times)|on\s+hold|nobody\s+(?:knows|can\s+(?:help|tell|explain|fix|find|sort|answer|give))|"
    r"your\s+(?:chat|phone\s+line|call\s+centre|call\s+center|store)\s+(?:said|told))\b",
    re.I,
)
#: Away from home, where a frozen card strands someone: abroad, on holiday, or "in Spain" (a capitalised place:
#: "in March" and "in the app" are not away).
_AWAY = (r"(?:abroad|overseas|on\s+(?:holiday|vacation)|while\s+travell?ing|in\s+another\s+country|"
         r"(?-i:(?:in|while\s+in)\s+(?!(?:January|February|March|April|May|June|July|August|September|October|"
         r"November|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|The|My|Your|Our)\b)"
         r"[A-Z][a-z]+))")
# Stuck somewhere, or cut off from money or service, right now: needs an answer within the hour.
STRANDED = re.compile(
    r"\b(stranded|stuck\s+(?:at|in)\s+(?:the\s+)?(?:airport|station|terminal|gate)|"
    r"(?:sleep(?:ing)?|spend(?:ing)?\s+the\s+night|overnight)\s+(?:at|in|on)\s+(?:the\s+)?(?:airport|station|"
    r"terminal|floor)|stranded\s+overnight|no\s+(?:hotel|accommodation)|can'?t\s+get\s+home|"
    r"card\s+(?:(?:was|has|had|is|got|has\s+been|had\s+been|keeps\s+getting|'s)\s+)?(?:been\s+)?"
    r"(?:frozen|blocked|stopped|declined|locked|cancell?ed)(?:\s+\w+){0,3}\s+" + _AWAY + r"|"
    r"(?:frozen|blocked|froze|freez(?:e|ing)|block(?:ed|ing)?|stopp(?:ed|ing)|cancell?(?:ed|ing))\s+(?:my\s+|our\s+)?"
    r"(?:debit\s+|credit\s+|bank\s+)?card(?:\s+\w+){0,2}\s+" + _AWAY + r"|"
    r"(?:abroad|overseas|on\s+holiday)(?:\s+\w+){0,4}\s+card\s+(?:frozen|blocked|declined)|"
    r"can'?t\s+(?:pay\s+for\s+anything|access\s+my\s+money|buy\s+food)|no\s+money\s+(?:at\s+all|left)|"
    r"locked\s+out\s+of\s+my\s+(?:home|house|flat|car)|no\s+(?:heating|water|power|electricity)\b)",
    re.I,
)
# Many people hit by the same failure ("200 of us", "hundreds of passengers"): an incident, not one case.
MANY = re.compile(
    r"\b((?:\d{2,}|dozens|hundreds|thousands|all)\s+of\s+us|(?:\d{2,}|dozens\s+of|hundreds\s+of|thousands\s+of)"
    r"\s+(?:people|passengers|customers|families|users)|whole\s+(?:plane|flight|street|building|town))\b",
    re.I,
)
# Trying to reach the brand and failing: effort, whoever is to blame.
UNREACHABLE = re.compile(
    r"\b((?:nobody|no\s*one|no-one)(?:['’]s|\s+(?:is|was|has|had|will|ever|even|still|actually|bothers\s+to))*\s+"
    r"(?:answering|answers|answered|answer|picking\s+up|picks\s+up|picked\s+up|pick\s+up|"
    r"responding|responds|responded|respond|replying|replies|replied|reply|gets?\s+back|got\s+back|getting\s+back|"
    r"calls?\s+back|called\s+back|helping|helps|helped|help)|"
    r"(?:keeps?|kept)\s+hanging\s+up|hung\s+up\s+on\s+(?:me|us)|hangs?\s+up\s+on\s+(?:me|us)|"
    r"(?:call|line|chat)\s+(?:keeps\s+)?(?:dropping|drops|dropped|cut\s+off)|can'?t\s+get\s+through|"
    r"no\s+(?:reply|response|answer)\s+(?:from|to|for|in|after)|(?:ignored|ignoring)\s+(?:me|my|us))\b",
    re.I,
)
# The same rules' most common words in the other languages we triage (legal threats, leaving); CJK
# has no word boundaries, so those alternatives carry none.
LEGAL_OTHER = re.compile(
    r"(\b(?:verbraucherzentrale|verbraucherschutz|anwalt|rechtsanwalt|klage|verklagen|schlichtungsstelle|"
    r"m[ée]diateur|avocat|plainte|association\s+de\s+consommateurs|abogad[oa]|denuncia|demanda|"
    r"consumo|ocu|avvocato|associazione\s+consumatori|advocaat|consumentenbond|geschillencommissie|"
    r"advogad[oa]|procon|processar|fogyaszt[óo]v[ée]del\w*|[üu]gyv[ée]d\w*|b[íi]r[óo]s[áa]g\w*|"
    r"uokik|rzecznik\w*\s+(?:praw\s+)?konsument\w*|prawnik\w*|adwokat\w*|pozew|pozw[ęe]|do\s+s[ąa]du|"
    r"роспотребнадзор\w*|юрист\w*|адвокат\w*|в\s+суд|иск\w*|прокуратур\w*|"
    r"t[üu]ketici\s+(?:hakem\s+heyet\w*|mahkeme\w*|haklar\w*)|avukat\w*|dava\s+a[çc]\w*|mahkeme\w*)\b"
    r"|消费者协会|消协|律师|起诉|投诉到|12315"
    r"|消費(?:生活)?センター|弁護士|訴訟|訴え|소비자원|변호사|소송|고소|법적\s*조치"
    r"|حماية المستهلك|محام|المحكمة|دعوى|قضية|สคบ|ทนาย|ฟ้อง)",
    re.I,
)
LEAVE_OTHER = re.compile(
    r"(\b(?:k[üu]ndige|k[üu]ndigen|wechsle\s+zu|je\s+r[ée]silie|r[ée]silier\s+mon|me\s+doy\s+de\s+baja|"
    r"darme\s+de\s+baja|cancelar\s+(?:mi|minha)|me\s+cambio\s+a|disdire|disdico|opzeggen|zeg\s+\w+\s+op|"
    r"vou\s+cancelar|nunca\s+m[aá]is|nunca\s+m[aá]s|plus\s+jamais|nie\s+wieder|mai\s+pi[uù]|nooit\s+meer|"
    r"lemondom|soha\s+t[öo]bb[ée]|rezygnuj[ęe]|wypowiadam\s+umow[ęe]|nigdy\s+wi[ęe]cej|zmieniam\s+(?:operatora|bank)|"
    r"расторгаю|ухожу\s+к|больше\s+никогда|отключаюсь|iptal\s+ediyorum|aboneli[ğg]imi\s+iptal|"
    r"bir\s+daha\s+asla|ba[şs]ka\s+(?:operat[öo]re|bankaya)\s+ge[çc]iyorum)\b|销户|退订|再也不"
    r"|解約(?:する|します|しました)|二度と(?:使わ|利用し|頼ま)|乗り換え(?:る|ます)|해지(?:할|합니다|했)|탈퇴|다시는"
    r"|(?:راح|هلغي|سألغي|ح)\s*(?:الغي|ألغي)?\s*(?:الاشتراك|اشتراكي)|لن أتعامل|آخر مرة أتعامل|ยกเลิกสัญญา|เลิกใช้|ย้ายค่าย)",
    re.I,
)
# Nobody answering, in the other languages we triage (the commonest phrasings; CJK, Thai and Arabic unbounded).
UNREACHABLE_OTHER = re.compile(
    r"(\b(?:niemand\s+(?:geht\s+ran|nimmt\s+ab|antwortet|beantwortet|meldet\s+sich|ruft\s+zur[üu]ck)|"
    r"keiner\s+(?:geht\s+ran|nimmt\s+ab|antwortet|beantwortet|meldet\s+sich)|"
    # keeps hanging up (the audit of 2026-12-07: no language but English had it)
    r"legt\s+(?:\w+\s+){0,2}(?:st[äa]ndig|immer\s+wieder|einfach|jedes\s+mal)\s+auf|"
    r"(?:wird|wurde)\s+(?:\w+\s+){0,2}aufgelegt|"
    r"(?:m['’]a|m['’]ont|me)\s+raccroch\w*|raccroch\w*\s+au\s+nez|"
    r"(?:me|nos)\s+(?:cuelgan|cuelga|colgaron|colg[óo])|"
    r"(?:me\s+)?deslig(?:am|aram|ou)\s+(?:o\s+telefone\s+)?na\s+(?:minha|nossa)\s+cara|"
    r"(?:mi|ci)\s+(?:riattacc\w*|hanno\s+riattaccat\w*|ha\s+riattaccat\w*|sbatt\w*\s+(?:\w+\s+){0,2}telefono)|"
    r"(?:hangen|hing|hingen)\s+(?:steeds|telkens|gewoon|weer|meteen)\s+op\b|"
    r"(?:ci[ąa]gle|wci[ąa][żz])\s+(?:si[ęe]\s+)?roz[łl][ąa]cza\w*|roz[łl][ąa]czaj[ąa]|"
    r"(?:бросают|бросили|кидают)\s+трубку|"
    r"(?:telefonu\s+)?y[üu]z[üu]me\s+kapat\w*|"
    r"geht\s+(?:niemand|keiner)\s+ran|"
    r"personne\s+ne\s+(?:r[ée]pond|d[ée]croche)|nadie\s+(?:contesta|responde|atiende)|"
    r"ningu[ée]m\s+(?:atende|responde)|nessuno\s+(?:risponde|mi\s+risponde)|niemand\s+neemt\s+op|"
    r"senki\s+(?:nem\s+)?(?:veszi\s+fel|v[áa]laszol)|nikt\s+nie\s+(?:odbiera|odpowiada|oddzwania)|"
    r"никто\s+не\s+(?:отвечает|берёт|берет|перезвонил)|kimse\s+(?:a[çc]m[ıi]yor|cevap\s+vermiyor|d[öo]nm[üu]yor))\b"
    r"|没人接|没有人接|没人回复|无人接听|被挂断|挂(?:了)?我(?:的)?电话|電話を?(?:すぐ|いきなり|一方的に|勝手に)?切られ"
    r"|電話も(?:繋|つな)がらない|誰も出ない|電話が繋がらない|電話がつながらない|아무도\s*안\s*받|연결이\s*안\s*돼"
    r"|(?:ما|و?لا)\s*(?:حد|حدا|أحد|احد)\s*(?:يرد|بيرد|رد|يجيب|يجاوب)|ไม่มีใครรับสาย|ไม่มีใครตอบ|โทรไม่ติด)",
    re.I,
)
# Stranded or cut off, in the other languages we triage: stuck at an airport or station, a night there, no hotel, a
# card blocked abroad, no power, water or heating (CJK, Thai and Arabic unbounded).
STRANDED_OTHER = re.compile(
    r"(\b(?:gestrandet|(?:sitzen|sitze|stecken|stecke)\s+(?:\w+\s+){0,3}(?:am|im)\s+(?:flughafen|bahnhof|terminal)\s+fest|"
    r"(?:nacht|übernachten|schlafen)\s+(?:\w+\s+){0,2}(?:am|im)\s+(?:flughafen|bahnhof|terminal)|kein\s+hotel|"
    r"karte\s+(?:\w+\s+){0,3}(?:gesperrt|blockiert|eingefroren)(?:\s+\w+){0,3}\s+(?:im\s+ausland|im\s+urlaub)|"
    r"karte\s+(?:\w+\s+){0,2}(?:im\s+ausland|im\s+urlaub)\s+(?:\w+\s+){0,2}(?:gesperrt|blockiert|eingefroren)|"
    r"(?:im\s+ausland|im\s+urlaub)(?:\s+\w+){0,4}\s+karte\s+(?:\w+\s+){0,2}(?:gesperrt|blockiert|eingefroren)|"
    r"kein(?:en)?\s+(?:strom|wasser)|keine\s+heizung|"
    r"(?:bloqu[ée]e?s?|coinc[ée]e?s?)\s+(?:à|a|dans)\s+(?:l['’]a[ée]roport|la\s+gare|le\s+terminal)|"
    r"nuit\s+(?:à|a|dans)\s+l['’]a[ée]roport|(?:pas\s+d['’]|sans\s+)h[ôo]tel|"
    r"carte\s+(?:\w+\s+){0,2}(?:bloqu[ée]e|gel[ée]e|refus[ée]e)(?:\s+\w+){0,3}\s+(?:à|a)\s+l['’][ée]tranger|"
    r"sans\s+(?:chauffage|[ée]lectricit[ée]|eau|courant)|"
    r"varad[oa]s?|(?:atrapad|tirad)[oa]s?\s+en\s+(?:el\s+aeropuerto|la\s+estaci[óo]n|la\s+terminal)|"
    r"(?:noche|dormir|dormimos|dormiendo)\s+en\s+el\s+(?:aeropuerto|suelo)|sin\s+hotel|"
    r"tarjeta\s+(?:\w+\s+){0,2}(?:bloqueada|congelada|rechazada)(?:\s+\w+){0,3}\s+en\s+el\s+extranjero|"
    r"(?:bloquearon|congelaron|rechazaron)\s+(?:\w+\s+){0,2}tarjeta(?:\s+\w+){0,3}\s+en\s+el\s+extranjero|"
    r"sin\s+(?:luz|agua|calefacci[óo]n)|"
    r"(?:pres|ilhad|retid)[oa]s?\s+no\s+aeroporto|(?:noite|dormir|dormindo)\s+no\s+(?:aeroporto|ch[ãa]o)|sem\s+hotel|"
    r"cart[ãa]o\s+(?:\w+\s+){0,2}(?:bloqueado|recusado|congelado)(?:\s+\w+){0,3}\s+no\s+exterior|"
    r"(?:bloquearam|recusaram|congelaram)\s+(?:\w+\s+){0,2}cart[ãa]o(?:\s+\w+){0,3}\s+no\s+exterior|"
    r"sem\s+(?:luz|[áa]gua|energia|aquecimento)|"
    r"bloccat[ie]\s+(?:all['’]aeroporto|in\s+aeroporto|in\s+stazione)|(?:notte|dormire)\s+in\s+aeroporto|"
    r"senza\s+(?:albergo|hotel|luce|acqua|riscaldamento|corrente)|"
    r"carta\s+(?:\w+\s+){0,2}(?:bloccata|rifiutata)(?:\s+\w+){0,3}\s+all['’]estero|"
    r"(?:bloccato|bloccata|rifiutato)\s+(?:\w+\s+){0,2}carta(?:\s+\w+){0,3}\s+all['’]estero|"
    r"gestrand|vast\s+(?:op|in)\s+(?:schiphol|het\s+vliegveld|de\s+luchthaven|het\s+station)|"
    r"nacht\s+op\s+(?:schiphol|het\s+vliegveld|de\s+luchthaven)|geen\s+(?:hotel|stroom|verwarming)|"
    r"pas\s+(?:\w+\s+){0,2}geblokkeerd(?:\s+\w+){0,3}\s+in\s+het\s+buitenland|"
    r"(?:rept[ée]ren|p[áa]lyaudvaron)\s+(?:ragadt|reked)\w*|(?:ragadt|reked)\w*\s+(?:\w+\s+){0,3}(?:rept[ée]r|p[áa]lyaudvar)\w*|"
    r"(?:letiltott|z[áa]rolt|befagyasztott)\w*\s+(?:a\s+)?k[áa]rty[áa]\w*|nincs\s+(?:sz[áa]ll[áa]s|sz[áa]lloda|[áa]ram|v[íi]z|f[űu]t[ée]s)|"
    r"utkn(?:[ęe]li|[ąa][łl]|[ęe][łl]o)\w*\s+(?:\w+\s+){0,3}(?:na|w)\s+(?:lotnisku|dworcu|terminalu)|noc\s+na\s+lotnisku|bez\s+(?:hotelu|pr[ąa]du|wody|ogrzewania)|"
    r"kart[ęea]\s+(?:\w+\s+){0,2}zablokowa\w*|"
    r"застрял\w*|ночь\s+в\s+аэропорту|без\s+(?:гостиницы|отеля|света|воды|отопления)|"
    r"(?:заблокировали|заморозили)\s+карт\w*|карт\w*\s+заблокирова\w*|"
    r"mahsur|havaliman[ıi]nda\s+(?:kald[ıi]k|sabahlad[ıi]k|gece)|otel\s+yok|kart[ıi]m\w*\s+(?:\w+\s+){0,3}bloke|"
    r"(?:elektrik|su|do[ğg]algaz)\s+yok)\b"
    r"|滞留|困在机场|机场过夜|没有酒店|卡被冻结|卡被锁|停电|停水|足止め|空港で一晩|空港に閉じ込め|ホテルもない|"
    r"カード(?:が|を)?(?:止め|凍結|ブロック)|停電|断水|공항에\s*(?:\S+\s*){0,2}갇|발이\s*묶|공항에서\s*밤|호텔도\s*없|카드(?:가|를)?\s*(?:정지|막|차단|동결)|"
    r"정전|단수|عالق|ليلة في المطار|بدون فندق|بدون كهرباء|(?:تجميد|حظر|إيقاف) (?:البطاقة|بطاقتي)|"
    r"(?:البطاقة|بطاقتي) (?:\S+ ){0,1}(?:محظورة|مجمدة|موقوفة|اتوقفت)|ติดอยู่ที่สนามบิน|"
    r"ค้างคืนที่สนามบิน|บัตรถูก(?:ระงับ|อายัด|บล็อก)|ไฟดับ|น้ำไม่ไหล)",
    re.I,
)
# Many people hit, in the other languages we triage.
MANY_OTHER = re.compile(
    r"(\b(?:\d{2,}\s+(?:de\s+n[óo]s|de\s+nosotros|d['’]entre\s+nous|di\s+noi|van\s+ons|z\s+nas|из\s+нас)|"
    r"\d{2,}-[ae]n\s+(?:vagyunk|ragadt\w*|reked\w*)|"
    r"(?:\d{2,}|hunderte|dutzende)\s+(?:passagiere|leute|menschen|kunden|fahrg[äa]ste|familien)|\d{2,}\s+von\s+uns|"
    r"(?:\d{2,}|des\s+centaines\s+de|des\s+dizaines\s+de)\s+(?:passagers|personnes|clients|familles)|"
    r"(?:\d{2,}|cientos\s+de|decenas\s+de)\s+(?:pasajeros|personas|clientes|familias)|"
    r"(?:\d{2,}|centenas\s+de|dezenas\s+de)\s+(?:passageiros|pessoas|clientes|fam[íi]lias)|"
    r"(?:\d{2,}|centinaia\s+di|decine\s+di)\s+(?:passeggeri|persone|clienti|famiglie)|"
    r"(?:\d{2,}|honderden|tientallen)\s+(?:passagiers|mensen|klanten|gezinnen)|"
    r"(?:\d{2,}|t[öo]bb\s+sz[áa]z)\s+(?:utas|ember|[üu]gyf[ée]l|csal[áa]d)\w*|"
    r"(?:\d{2,}|setki|dziesi[ąa]tki)\s+(?:pasa[żz]er[óo]w|os[óo]b|ludzi|klient[óo]w|rodzin)|"
    r"(?:\d{2,}|сотни|десятки)\s+(?:пассажиров|человек|людей|клиентов|семей)|"
    r"(?:\d{2,}|y[üu]zlerce|onlarca)\s+(?:yolcu|ki[şs]i|insan|m[üu][şs]teri|aile))\b"
    r"|\d{2,}\s*(?:多)?(?:名|个)?(?:乘客|旅客|人)|几百人|上百人|数百人|何百人|\d{2,}\s*명|수백\s*명|"
    r"\d{2,}\s+(?:راكب|شخص|مسافر)|مئات|\d{2,}\s*คน|หลายร้อยคน)",
    re.I,
)
# A post that is only a call for help ("help!!", "ayuda!!", "助けて"): the model reads too little in it to score it,
# and it sank below chatter (priority 15), though it asks for a person at once.
PLEA = re.compile(
    r"(?:please\s+)?(?:help(?:\s+(?:me|us|please|pls|plz))?|sos|urgent|ayuda(?:me)?|socorro|hilfe|au\s+secours|"
    r"aidez[-\s]moi|aiuto|help\s+mij|segítség|segitseg|pomocy|pomoc|помогите|помощь|yardım|yardim|imdat|"
    r"救命|帮帮我|帮忙|助けて|たすけて|도와주세요|살려주세요|النجدة|ساعدوني|ช่วยด้วย)",
    re.I,
)
HANDLE = re.compile(r"@\w+")

WEIGHTS = {"leave": 0.5, "legal": 0.6, "safety": 0.6, "public": 0.35, "repeat_contact": 0.3, "stranded": 0.55,
           "many_affected": 0.3, "plea": 0.5}
REACH_FLOOR = 1_000  # followers below this add nothing
REPEAT_WINDOW = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class PriorContact:
    """One earlier mention by the same author (the worker reads these from the store)."""

    created_at: datetime
    thread_key: str = ""
    intent: str = ""
    text: str = ""


@dataclass(frozen=True, slots=True)
class Signals:
    urgency: float
    effort: float
    reasons: tuple[str, ...] = ()
    flags: frozenset[str] = field(default_factory=frozenset)


def noisy_or(weights: Iterable[float]) -> float:
    """Combine independent pieces of evidence: 1 - prod(1 - w)."""
    p = 1.0
    for w in weights:
        p *= 1.0 - min(max(w, 0.0), 1.0)
    return 1.0 - p


def _quote(match: re.Match[str]) -> str:
    return " ".join(match.group(0).lower().split())


def reach_weight(followers: int) -> float:
    """0 below 1k followers, 0.1 at 1k, 0.2 at 10k, 0.3 at 100k, capped at 0.4 (1M+)."""
    if followers < REACH_FLOOR:
        return 0.0
    return min(0.4, 0.1 * (math.log10(followers) - 2))


def recent_contacts(history: Sequence[PriorContact], now: datetime | None,
                    window: timedelta = REPEAT_WINDOW) -> list[PriorContact]:
    if now is None:
        return list(history)
    return [h for h in history if timedelta(0) <= now - h.created_at <= window]


def same_issue(history: Sequence[PriorContact], thread_key: str, intent: str) -> list[PriorContact]:
    """Earlier contacts on the same thread, or with the same (non-generic) intent."""
    generic = {"", "other", "praise", "question"}
    return [h for h in history if (thread_key and h.thread_key == thread_key)
            or (intent not in generic and h.intent == intent)]


def compute_signals(text: str, *, followers: int = 0, history: Sequence[PriorContact] = (),
                    thread_key: str = "", intent: str = "", now: datetime | None = None) -> Signals:
    """All urgency and effort signals of one mention, with a reason per signal that fired."""
    urgency: list[float] = []
    effort: list[float] = []
    reasons: list[str] = []
    flags: set[str] = set()
    text = folded(text).replace("\u2019", "'")  # phones type "I’ll": the rules spell the apostrophe plainly
    for flag, rx, label in (("leave", LEAVE, "threat to leave"), ("legal", LEGAL, "legal words"),
                            ("leave", LEAVE_OTHER, "threat to leave"), ("legal", LEGAL_OTHER, "legal words"),
                            ("safety", SAFETY, "safety words"), ("public", PUBLIC, "public escalation"),
                            ("stranded", STRANDED, "stranded or cut off"),
                            ("stranded", STRANDED_OTHER, "stranded or cut off"),
                            ("many_affected", MANY, "many people affected"),
                            ("many_affected", MANY_OTHER, "many people affected")):
        m = rx.search(text)
        if m and flag not in flags:
            urgency.append(WEIGHTS[flag])
            flags.add(flag)
            reasons.append(f"{label}: '{_quote(m)}'")
    said = re.sub(r"[\W_]+", " ", HANDLE.sub(" ", text)).strip()  # the words, without handles and punctuation
    if said and PLEA.fullmatch(said):
        urgency.append(WEIGHTS["plea"])
        flags.add("plea")
        reasons.append(f"a call for help and nothing else: '{said.lower()}'")
    if len(HANDLE.findall(text)) >= 3 and "public" not in flags:
        urgency.append(0.15)
        flags.add("public")
        reasons.append("public escalation: tags 3+ accounts")
    if (w := reach_weight(followers)) > 0:
        urgency.append(w)
        flags.add("reach")
        reasons.append(f"author reach: {followers:,} followers")
    recent = recent_contacts(history, now)
    if recent:
        urgency.append(WEIGHTS["repeat_contact"])
        flags.add("repeat_contact")
        reasons.append(f"repeat contact: {len(recent)} earlier mention{'s' if len(recent) != 1 else ''} in 7 days")
    same = same_issue(recent, thread_key, intent)
    if same:
        effort.append(min(0.8, 0.3 * len(same)))
        flags.add("same_issue")
        reasons.append(f"effort: {len(same)} earlier contact(s) on the same issue")
    if m := REPEAT_WORDS.search(text):
        effort.append(0.4)
        flags.add("repeat_words")
        reasons.append(f"effort: '{_quote(m)}'")
    if m := TRANSFER.search(text):
        effort.append(0.4)
        flags.add("transfer")
        reasons.append(f"effort: transfers/channels: '{_quote(m)}'")
    if m := UNREACHABLE.search(text) or UNREACHABLE_OTHER.search(text):
        effort.append(0.4)
        urgency.append(0.2)
        flags.add("unreachable")
        reasons.append(f"effort: cannot reach anyone: '{_quote(m)}'")
    eff = noisy_or(effort)
    if eff > 0:
        urgency.append(0.5 * eff)  # high effort is itself a reason to answer sooner
    return Signals(noisy_or(urgency), eff, tuple(reasons), frozenset(flags))


def urgency_with_model(signals: Signals, complaint: float, negative: float) -> float:
    """Blend rule urgency with the model: a confident negative complaint adds up to 0.35."""
    return noisy_or([signals.urgency, 0.35 * complaint * max(negative, 0.5)])
