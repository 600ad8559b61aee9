"""Each lab's comparison and conclusions, one module per lab (lab1 ... lab5).

They read only the lab's results files (report/_results/*.json) and build the closing chapter's
tables and sentences from them; the data-set packages keep what is specific to their data.
"""
