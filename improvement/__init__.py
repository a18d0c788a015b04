"""Safety improvement: the projects an organisation's medication safety team leads (an aim, a
measure over time read as a run chart, PDSA cycles) and its standard protocols for high-risk
medicines, each shared with an MSO network's library in one step."""
