# A segment policy set is imported by its name. The policy blocks are rebuilt
# from the rules tagged with the set's id: each flow between two segments as
# allow_from of its destination. Acknowledgements, HTTP matches, segments
# placed only in Kubernetes and the kubernetes block are not in the rules:
# the first plan shows them as changes to write in the configuration.
terraform import zerotrust_segment_policy_set.shop shop
