"""Union membership (会员): linking a worker to the federation's member register."""
