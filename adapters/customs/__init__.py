"""The customs adapter (UN/EDIFACT CUSDEC/CUSRES through a file-exchange folder), the customs system's
risk selectivity and its stand-in."""
