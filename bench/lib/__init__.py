"""Helpers shared by the benchmark scripts, one concern per module.

* ``paths``: where the benchmarks, the repository and their scratch output live;
* ``figures``: a measured figure and the Markdown tables it is printed in;
* ``timing``: medians, percentiles, timing a call or a whole process;
* ``process``: child interpreters and this process's memory and machine load;
* ``workdirs``: temporary folders and an isolated per-user data directory;
* ``corpus``: the BBC corpus the listing and find figures are defined on;
* ``text``: generated English-like and CJK texts of a given size;
* ``folders``: folders of articles, with annotations saved through the store;
* ``apps``: running a Textual app headless and timing its first paint;
* ``stalls``: a ticker measuring how long the event loop could not run;
* ``cli``: the shared command line of a benchmark script.

Every figure is the median of several runs because the bench machine is
shared (other engineers run tests at the same time); a baseline is always
measured in the same process run so the ratio is comparable even when the
absolute numbers drift with the load.
"""
