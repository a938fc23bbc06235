# An access proxy with IAM Identity Center for users (MFA enforced at every
# sign-in) and Jamf for devices, logging to CloudWatch Logs. Protect surfaces
# are placed on it by id and compile against its trust_context.
resource "zerotrust_access_proxy" "corp" {
  name = "corp"

  identity_provider {
    type         = "iam-identity-center"
    reference    = "idc"
    mfa_enforced = true
  }

  device_trust_provider {
    type      = "jamf"
    reference = "jamf"
    tenant_id = var.jamf_tenant_id
  }

  logging {
    cloudwatch_log_group  = "/verified-access/corp"
    include_trust_context = true
  }

  tags = { team = "security" }
}

# An access proxy trusting an OIDC identity provider. The client secret is
# write-only (never in state or plan); bump client_secret_version to rotate it.
resource "zerotrust_access_proxy" "partners" {
  name = "partners"

  identity_provider {
    type         = "oidc"
    reference    = "okta"
    groups_claim = "groups"

    oidc {
      issuer                 = "https://example.okta.com"
      authorization_endpoint = "https://example.okta.com/oauth2/v1/authorize"
      token_endpoint         = "https://example.okta.com/oauth2/v1/token"
      user_info_endpoint     = "https://example.okta.com/oauth2/v1/userinfo"
      client_id              = var.okta_client_id
      client_secret          = var.okta_client_secret
      client_secret_version  = "2026-01"
      scope                  = "openid email groups"
    }
  }

  device_trust_provider {
    type      = "crowdstrike"
    reference = "crowdstrike"
    tenant_id = var.crowdstrike_customer_id
  }

  logging {
    s3 {
      bucket = "corp-verified-access-logs"
      prefix = "partners/"
    }
  }
}

# A proxy for TCP and database surfaces, reached through the AWS Verified
# Access connectivity client: CIDR endpoints are named under a subdomain you
# delegate to the name servers AWS returns; the client signs users in with
# the native-application OIDC client; every trust provider is encrypted with
# your own KMS key.
resource "zerotrust_access_proxy" "network" {
  name                            = "network"
  cidr_endpoints_custom_subdomain = "net.corp.example.com"
  kms_key_arn                     = var.verified_access_kms_key_arn

  identity_provider {
    type      = "oidc"
    reference = "okta"

    oidc {
      issuer                 = "https://example.okta.com"
      authorization_endpoint = "https://example.okta.com/oauth2/v1/authorize"
      token_endpoint         = "https://example.okta.com/oauth2/v1/token"
      user_info_endpoint     = "https://example.okta.com/oauth2/v1/userinfo"
      client_id              = var.okta_client_id
      client_secret          = var.okta_client_secret
      client_secret_version  = "2026-01"
      scope                  = "openid email groups"
    }

    native_application_oidc {
      public_signing_key_endpoint = "https://example.okta.com/oauth2/v1/keys"
      issuer                      = "https://example.okta.com"
      authorization_endpoint      = "https://example.okta.com/oauth2/v1/authorize"
      token_endpoint              = "https://example.okta.com/oauth2/v1/token"
      user_info_endpoint          = "https://example.okta.com/oauth2/v1/userinfo"
      client_id                   = var.okta_native_client_id
      client_secret               = var.okta_native_client_secret
      client_secret_version       = "2026-01"
      scope                       = "openid email groups"
    }
  }
}

# Delegate the subdomain: NS records at your DNS provider for
# net.corp.example.com, pointing at these.
output "network_name_servers" {
  value = zerotrust_access_proxy.network.cidr_endpoints_name_servers
}

variable "verified_access_kms_key_arn" {
  type = string
}

variable "okta_native_client_id" {
  type = string
}

variable "okta_native_client_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "jamf_tenant_id" {
  type = string
}

variable "okta_client_id" {
  type = string
}

variable "okta_client_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "crowdstrike_customer_id" {
  type = string
}
