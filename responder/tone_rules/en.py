"""English rules, the fullest set. They run on every draft whatever its language (``responder.tone.check_tone``):
an English phrase inside another language's reply reads just as badly."""

from __future__ import annotations

from responder.tone_rules.base import _APOLOGIES, _RESTORED, _UPDATES, Rule, _policy_spared, _rule

#: Past participles that make "you should have ..." a reproach; "you should have received" is news.
_EN_SHOULD = (r"(?:read|checked|looked|known|noticed|followed|paid attention|asked|kept|updated|ordered|"
              r"been more careful|double-checked|made sure|listened|realised|realized|verified|saved|"
              r"backed up|entered|selected|chosen|contacted us (?:earlier|sooner|first)|told us (?:earlier|sooner))")
#: What "if you'd ..." reproaches the customer for not doing; "if you'd like" and "if you had checked in" are fine.
_EN_HEEDED = (r"(?:read|re-read|reread|checked(?! in| out)|double-checked|looked|followed|listened"
              r"|paid (?:more )?attention"
              r"|bothered|scrolled|noticed|taken (?:the|a) (?:time|moment|minute|second)"
              r"|kept (?:your|the|a|hold of)|saved (?:your|the)|submitted|registered|updated (?:your|the)"
              r"|sent (?:us|it|them|in)|given us|told us)")
#: What "you must have ..." guesses the customer got wrong; "you must have been so worried" is empathy.
_EN_MUST = (r"(?:entered|typed|misread|missed|forgotten|overlooked|clicked|selected|chosen|deleted|ignored|"
            r"made a mistake|misunderstood|skipped|used the wrong|put the wrong|given us the wrong)")

RULES: tuple[Rule, ...] = (
    # defensive: arguing with the customer or protecting the company
    _rule("defensive",
          r"\bas (?:i|we)(?:'ve| have)? (?:already |previously |just )?"
          r"(?:said|stated|mentioned|explained|told you|informed you|advised you|pointed out)\b"
          r"|\blike (?:i|we)(?:'ve| have)? (?:already )?(?:said|told you|explained|mentioned)\b"
          r"|\bas (?:already|previously) (?:mentioned|stated|explained|said)\b"
          r"|\bas (?:mentioned|stated|explained|said) (?:before|earlier|previously"
          r"|in (?:my|our) (?:previous|last|earlier) (?:message|reply|email|post|tweet))\b",
          "Points out that the customer did not listen.", "To recap,",
          unless=_UPDATES["en"], unless_reply=_APOLOGIES["en"]),
    _rule("defensive",  # the repeat insisted on: to "you", how many times, "re-read what we wrote"
          r"\b(?:as|like) (?:i|we)(?:'ve| have)? (?:already |previously |just )?(?:told|informed|advised|reminded"
          r"|explained to) you\b"
          r"|\b(?:said|explained|told you|mentioned|stated)\b[^.!?]{0,25}?\b(?:several|many|multiple|numerous|countless"
          r"|a few|two|three|a hundred) times\b"
          r"|\b(?:as|like) (?:i|we)(?:'ve| have)? (?:already |previously )?(?:said|explained|mentioned|stated) in (?:my"
          r"|our)"
          r" (?:last|previous|earlier) (?:dm|message|reply|email|post|tweet)s?\b"
          r"|\bfor the (?:second|third|fourth|fifth|tenth|hundredth|umpteenth|nth|last|\d+(?:st|nd|rd|th)) time\s*[,:]"
          r"|\b(?:telling|explaining|saying|repeating) (?:this|it|you)\b[^.!?]{0,20}?\bfor the \w+ time\b"
          r"|\bhow many (?:more )?times (?:do|must|should|will|have|did|are) (?:i|we)\b|\bi(?:'ll| will)? repeat\b"
          r"|\b(?:re-?read|scroll (?:back )?up(?: and read)?|read) (?:through )?(?:all )?(?:our|my) (?:previous|earlier"
          r"|last|other|past) (?:repl|messag|tweet|post|dm|answer|response)\w*",
          "Insists that the customer was told already.", "To recap,"),
    _rule("defensive",
          r"\b(?:it|this|that)(?:'s| is| was) (?:not|simply not|definitely not) (?:our|my) "
          r"(?:fault|mistake|error|problem|responsibility)\b"
          r"|\b(?:it|this|that) (?:isn't|wasn't) (?:our|my) (?:fault|mistake|error|problem|responsibility)\b"
          r"|\bnot (?:our|my) fault\b"
          r"|\bwe(?:'re| are) not (?:responsible|liable|to blame|at fault)\b"
          r"|\bwe (?:cannot|can't|can not) be held (?:responsible|liable)\b"
          r"|\bwe (?:take|accept) no (?:responsibility|liability)\b"
          r"|\bnot (?:really |exactly |actually )?(?:our|my) (?:problem|concern|issue|responsibility)\b"
          r"|\b(?:that|this|it)(?:'s| is) (?:really |entirely |simply )?your (?:own )?(?:problem|lookout)\b",
          "Denies responsibility before helping.", "We're sorry this happened, and we'll help put it right."),
    _rule("defensive",
          r"\bwe did nothing wrong\b|\bwe (?:have )?(?:followed|did everything) (?:the )?(?:correct|proper|right)\b",
          "Defends the company instead of the customer.", "Let's look at what went wrong together."),
    _rule("defensive",  # "our app is working normally again" is news
          r"\b(?:our|the) (?:system|app|site|website|platform|network|checkout|server)s? (?:(?:is|are) )?(?:doesn't"
          r"|does not|don't|do not|never|can't|cannot) (?:make (?:mistakes|errors|that mistake)|get (?:it|this"
          r"|that) wrong"
          r"|fail|lose \w+)\b"
          r"|\b(?:our|the) (?:system|app|site|website|platform|network|checkout|server)s? (?:is |are )?(?:work(?:s|ing)"
          r"|function(?:s|ing)|running) (?:perfectly|flawlessly|exactly as (?:it should|intended)"
          r"|without (?:any )?fault)\b"
          r"(?! (?:on|with|for|in)\b)",
          "Defends the company's system instead of looking at the customer's problem.",
          "Let's look at what happened on your side and ours:", unless=_RESTORED["en"]),
    _rule("defensive",  # a threat: "if you continue, we'll block you"
          r"\bif you (?:continue|keep|carry on|persist|don't stop|do not stop)\b[^.!?]{0,60}?\bwe(?:'ll| will| may"
          r"| might| shall)? (?:(?:have to|be forced to|need to) )?(?:block|ban|mute|report|blacklist"
          r"|stop (?:responding"
          r"|replying|answering)|no longer (?:respond|reply|answer)|take (?:legal )?action|(?:close|suspend|terminate"
          r"|deactivate|restrict) (?:your|this) (?:account|profile|membership|contract|access|conversation))"
          r"|\bany (?:further|more) (?:abusive |rude )?(?:messages|abuse|tweets|posts|comments|insults)\b[^.!?]{0,30}?"
          r"\b(?:will|may) (?:result in|lead to|be (?:ignored|reported|deleted|blocked))"
          r"|\b(?:this is your )?(?:last|final) warning\b",
          "Threatens the customer.", "We want to help; here's what we can do next:"),
    _rule("defensive", r"\bthat(?:'s| is) (?:not|simply not) (?:true|correct|accurate|what happened)\b",
          "Contradicts the customer in public.", "Thanks for explaining; here's what we can see on our side:"),
    _rule("defensive", r"\b(?:with all due respect|to be fair(?! to you)|in our defen[cs]e)\b",
          "Signals an argument is coming.", "Thanks for telling us."),
    _rule("defensive",
          r"\bno (?:other )?customers? (?:has|have) (?:ever )?(?:complained|reported)\b"
          r"|\byou(?:'re| are) the only (?:one|customer|person)\b",
          "Implies the customer is the problem.", "We're sorry you're running into this."),
    _rule("defensive",  # the problem passed to someone else: "that's on the courier, not us", "take it up with them"
          r"\b(?:on|with|down to|up to|for) (?:(?:the|your) )?[\w' -]{1,30}?,? (?:and )?not (?:us|ours|with us)\b"
          r"|\b(?:responsibility|fault|problem|issue|job|call|department)(?:,| and) not (?:ours|us|our \w+)\b"
          r"|(?:^|(?<=[.!?] )|\byou(?:'ll| will)? (?:need to |have to |should |must |can |could )?)(?:take|raise)"
          r" (?:it|that|this|the matter|your complaint) (?:up )?with (?:them|the \w+|your \w+)"
          r"|\b(?:nothing|little) to do with us\b",
          "Passes the problem to someone else and stops there.",
          "That part sits with <them>, but we'll chase it for you and update you here by <time>."),
    _rule("defensive",  # doubting the customer, or defending the brand's record instead of their problem
          r"\b(?:hard|difficult) to believe\b"
          r"|\bwe(?:'ve| have) been (?:rated|voted|named|ranked|awarded)\b"
          r"|\bwe(?:'re| are) (?:rated|voted|ranked) (?:the )?(?:best|most|number one|#1|top)\b",
          "Defends the company's record instead of the customer's problem.",
          "Thanks for telling us; here's what we can see on our side:"),
    _rule("dismissive",  # the problem made small: "hardly the end of the world", "nobody else has mentioned it"
          r"\b(?:isn't|is not|wasn't|was not|hardly|not really|not exactly) (?:a|that|such a|that much of a|much"
          r" of a) big (?:deal|problem|issue)\b"
          r"|\b(?:hardly|not exactly|it's not|it is not|that's not|that is not) the end of the world\b"
          r"|\b(?:no ?one|nobody|no other customers?|none of our other customers) (?:else )?(?:has |have |had |is |are "
          r"|seems? to (?:have )?)?(?:mentioned|complained|reported|noticed|had (?:a|any|this|that|the same)"
          r" (?:problem|issue|trouble))\b"
          r"|\b(?:everyone|everybody) else\b[^.!?]{0,30}?\b(?:managed|coped|was fine|were fine|is fine|seems fine"
          r"|had no (?:problem|issue|trouble))"
          r"|\b(?:shouldn't|should not|can't|cannot|couldn't) (?:really )?(?:come as|be|have been) (?:a|any|much of a)"
          r" surprise\b",
          "Minimises the problem.", "We're sorry for the trouble this has caused."),
    _rule("dismissive",  # sarcasm without an emoji: "Sure, because we arranged the snow"
          r"\b(?:sure|right|yeah|yes|of course|oh (?:sure|yes|right)),? (?:because|since) (?:we|i|obviously)\b"
          r"|\bwe (?:personally|deliberately|intentionally|secretly) (?:arranged|planned|caused|made|organi[sz]ed"
          r"|wanted|set out)\b",
          "Sarcasm reads as contempt in public.", "Thanks for flagging this; here's what we can tell you:"),
    # blaming: the customer did it wrong
    _rule("blaming",
          r"\byou (?:should|ought to)(?: have|'ve| not have|n't have) (?:(?:just|really|simply|first|probably) )?"
          + _EN_SHOULD + r"\b"
          r"|\byou must(?: have|'ve) (?:(?:accidentally|mistakenly|probably|simply) )?" + _EN_MUST + r"\b",
          "Blames the customer for what already happened.",
          "Next time it can help to ..., and for now here's how we'll fix it:"),
    _rule("blaming",
          r"\byou (?:failed|forgot|neglected) to\b|\byou (?:did not|didn't) (?:read|follow|check|see|notice)\b",
          "Blames the customer.", "It's easy to miss, so here's the step that fixes it:"),
    _rule("blaming", r"\byour (?:own )?fault\b|\b(?:user|customer|operator) error\b",
          "Blames the customer outright.", "Let's get this working for you:",
          unless=r"(?:\bnot|n't|\bnever|\bno way|\bby no means|\bnone of (?:this|it|that) (?:is|was))\b[^.!?,;:]{0,30}?"
                 r"\byour (?:own )?fault\b"),
    _rule("blaming",  # the counterfactual reproach: "if you'd checked the email, you'd know"
          r"\b(?:if you(?: had|'d| would have)|had you)(?: (?:just|only|simply|actually|carefully|properly|bothered to"
          r"|taken the time to|even))* " + _EN_HEEDED + r"\b"
          r"|\bif you\b[^.!?]{0,80}?,? (?:then )?you(?:'d| would)(?: have)? (?:know|known|seen|noticed|realised"
          r"|realized"
          r"|understood)\b",
          "Blames the customer for the outcome.", "Here's the quickest way to sort it out:"),
    _rule("blaming",  # the terms held up against the customer, unless they grant something
          r"\b(?:terms|t&cs?|ts&cs|conditions|contract|agreement|small print|fine print)(?: (?:and|&) conditions)?"
          r"(?: of (?:sale|use|service))? (?:that |which )?you (?:agreed to|accepted|signed|ticked|consented to)\b"
          r"|\bit(?:'s| is| was) (?:all |clearly |right there |literally |plainly )+(?:in|on) (?:the|our) (?:terms"
          r"|t&cs|small print|fine print|faq|product page|website|listing|description|confirmation)\b"
          r"|\b(?:read|check|look at|give (?:them|it) a (?:read|look))\b[^.!?]{0,30}?\bnext time\b",
          "Holds the terms up against the customer.", "Here's what the terms mean for you, and what we can do:",
          unless=_policy_spared("en")),
    _rule("blaming", r"\b(?:as (?:clearly )?stated in|clearly (?:states|stated|says))\b",
          "Implies the customer did not read the terms.", "Here's how it works, and what we can do:"),
    _rule("blaming", r"\byou (?:misunderstood|misread|are mistaken|are wrong)\b",
          "Tells the customer they are wrong.", "Sorry if that was unclear; here's how it works:"),
    # dismissive: minimising the problem or the feeling
    _rule("dismissive",
          r"\b(?:calm down|chill out|settle down|no need (?:to|for) (?:shout\w*|yell\w*|swear\w*|the caps|all caps"
          r"|the attitude|that tone|that language|be upset|get upset|be rude|be so rude|overreact|get so worked up))\b"
          r"|\b(?:please|just|you need to|try to) relax\b"  # "sit back and relax: it's on its way" is kind
          r"|\b(?:watch|mind) your (?:tone|language)\b|\btake a deep breath\b"
          r"|\b(?:shouting|yelling|screaming|swearing|(?:typing |writing )?in (?:all )?caps|all caps|capital letters"
          r"|being rude|insulting us|ranting|threats)\b[^.!?]{0,60}?\b(?:won't|will not|isn't going to|is not going to"
          r"|doesn't|does not)\b[^.!?]{0,40}?\b(?:help|change|get|make|speed|fix|solve|faster|sooner|quicker)\b",
          "Polices the customer's feelings.", "We understand how frustrating this is."),
    _rule("dismissive",
          r"\b(?:it(?:'s| is) not a big deal|no big deal|not that bad)\b"
          r"|\bit(?:'s| is) (?:only|just) a (?:small|minor|little|tiny|slight|cosmetic|scratch|dent|mark|scuff"
          r"|delay|glitch|bug|day|few|couple)\b",  # the problem made small, not "it's just a quick form"
          "Minimises the problem.", "We're sorry for the trouble this has caused."),
    _rule("dismissive",
          r"\b(?:there(?:'s| is) nothing (?:(?:further|more|else) )?(?:that )?(?:we|i) can do"
          r"|nothing (?:more |further |else )?(?:we|i) can do"
          r"|it is what it is|deal with it|get over it)\b",
          "Closes the door without a next step.", "Here's what we can do next:"),
    _rule("dismissive",  # sarcasm: a public complaint answered with mock thanks or an eye-roll
          r"\b(?:yet )?another (?:tweet|post|complaint|rant|thread|comment)s? (?:about|on|regarding)\b"
          r"|\b(?:what a|how) surpris(?:e|ing)\b"
          r"|\b(?:letting|telling|showing|informing) (?:the whole|the entire|all (?:of )?the) (?:internet|world|twitter"
          r"|timeline|planet)\b|🙄|😒",
          "Sarcasm reads as contempt in public.", "Thanks for flagging this; here's what we can tell you:"),
    _rule("dismissive",  # condescension, and telling the customer to go away
          r"\breally (?:quite|very|pretty) (?:simple|easy|straightforward)\b|\bnot (?:exactly )?rocket science\b"
          r"|\banyone can (?:do|see|understand|follow|manage)\b|\beven a child\b|\bself-explanatory\b"
          r"|\b(?:stop|quit) (?:spamming|tagging|messaging|tweeting(?: at)?|dming|pinging|harassing|bombarding"
          r"|flooding)"
          r" (?:us|our|me)\b|\b(?:don't|do not) spam us\b",
          "Talks down to the customer.", "Here's the step that sorts it, and we're here if it doesn't:"),
    _rule("dismissive",  # "just try the link again" is an ordinary suggestion, "obviously try" is not
          r"\bobviously (?:restart|reinstall|log ?in|wait|try|click|read|refresh)\b"
          r"|\b(?:simply|just) (?:restart|reinstall|log ?in|wait|read|refresh)\b",
          "Makes the fix sound trivial, so the customer feels foolish.",
          "Could you try restarting? If it still fails, we'll dig in."),
    _rule("dismissive", r"\bper my (?:last|previous) (?:message|reply|email|post|tweet)\b",
          "Curt and impatient.", "Thanks for following up."),
    # policy-hiding: using policy as a wall
    _rule("policy_hiding",
          r"\b(?:our|company|store) polic(?:y|ies) "
          r"(?:states?|says?|does not|doesn't|do not|don't|prevents?|prohibits?)\b"
          r"|\bour (?:terms|t&cs|ts&cs|conditions|rules)(?: (?:and|&) conditions)? (?:clearly )?"
          r"(?:state|say|are clear)\b"
          r"|\bper (?:our )?(?:company )?(?:policy|terms)\b"
          r"|\b(?:according to|in (?:accordance|line) with) (?:our|company|the company's) "
          r"(?:policy|policies|terms|rules)\b",
          "Hides behind policy instead of explaining.", "Here's why it works this way, and what we can do for you:",
          unless=_policy_spared("en")),
    _rule("policy_hiding",
          r"\b(?:(?:it(?:'s| is)|this is) against (?:our |company )?policy|due to (?:company |our )?policy"
          r"|company policy|our hands are tied)\b"
          r"|\b(?:that|this|it)(?:'s| is) (?:just |simply |unfortunately |sadly )?(?:our|the) (?:policy|rules?)\b"
          r"|\brules are rules\b|\b(?:those|these) are (?:the|our) rules\b|\bthe (?:fee|charge|decision) stands\b",
          "Uses policy as a wall.", "We can't do that one, but here's what we can do:", unless=_policy_spared("en")),
    _rule("policy_hiding",
          r"\bwe (?:are|'re) (?:unable|not able|not allowed) to (?:comment|disclose|discuss|explain)\b",
          "Refuses to explain.", "Let's take this to a private message so we can go through the details."),
    # vague promises: not defensive, but not a commitment either
    _rule("vague_promise", r"\b(?:as soon as possible|asap|in due course|at some point|shortly|when we can)\b",
          "The customer cannot tell when to expect anything.", "by <time>, e.g. 'by 3pm today' or 'within 24 hours'"),
    _rule("vague_promise",
          r"\bwe(?:'ll| will) (?:look into (?:it|this)|see what we can do|get back to you)\b"
          r"(?![^.!?\n]*\b(?:by|within|in \d+|today|tonight|tomorrow)\b)",
          "A promise without a time or an action.", "We'll check <what> and reply here by <time>."),
)
