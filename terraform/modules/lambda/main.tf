# The API function: one `bootstrap` binary on provided.al2023, in the VPC's
# private subnets (DAX lives there), with its own log group and security group.

locals {
  in_vpc = var.attach_to_vpc # a plain bool: the VPC ID is unknown until apply
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/lambda/${var.function_name}"
  retention_in_days = var.log_retention_in_days
  tags              = var.tags
}

resource "aws_security_group" "this" {
  count = local.in_vpc ? 1 : 0

  name        = "${var.function_name}-lambda"
  description = "Lambda ${var.function_name}: outbound only"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.function_name}-lambda" })
}

# HTTPS to AWS APIs: DynamoDB (through the gateway endpoint) and anything else
# through the NAT. The DAX module adds the rule to the cluster port.
resource "aws_vpc_security_group_egress_rule" "https" {
  count = local.in_vpc ? 1 : 0

  security_group_id = aws_security_group.this[0].id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  description       = "HTTPS to AWS APIs"
}

resource "aws_lambda_function" "this" {
  function_name                  = var.function_name
  description                    = var.description
  role                           = var.role_arn
  runtime                        = "provided.al2023"
  handler                        = "bootstrap"
  architectures                  = [var.architecture]
  filename                       = var.package_path
  source_code_hash               = filebase64sha256(var.package_path)
  memory_size                    = var.memory_size
  timeout                        = var.timeout
  reserved_concurrent_executions = var.reserved_concurrent_executions

  dynamic "environment" {
    for_each = length(var.environment_variables) > 0 ? [var.environment_variables] : []
    content {
      variables = environment.value
    }
  }

  dynamic "vpc_config" {
    for_each = local.in_vpc ? [1] : []
    content {
      subnet_ids         = var.subnet_ids
      security_group_ids = [aws_security_group.this[0].id]
    }
  }

  tracing_config {
    mode = var.tracing_mode
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.this.name
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = !local.in_vpc || (var.vpc_id != null && length(var.subnet_ids) >= 1)
      error_message = "A function in a VPC needs vpc_id and subnet_ids (private subnets, ideally in two AZs or more)."
    }
  }
}
