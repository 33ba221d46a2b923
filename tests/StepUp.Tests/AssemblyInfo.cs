// End-to-end tests start real builds and directors; two at a time fit a 2-core machine.
[assembly: Parallelize(Workers = 2, Scope = ExecutionScope.ClassLevel)]
